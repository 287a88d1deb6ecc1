"""调解知识库 core: settings, errors, Chinese analysis, masking, embeddings and the search store."""

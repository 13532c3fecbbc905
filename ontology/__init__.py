"""The ontology (kg.ttl), its SHACL shapes (shapes.ttl) and the relation rules (patterns/):
data, installed as the package kg.ontology so that kg finds them with importlib.resources."""

"""Example SPARQL queries (*.rq), installed as the package kg.queries so that the shell finds
them with importlib.resources."""

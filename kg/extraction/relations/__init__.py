"""Stage 5: rules as data -> `Relation`s, each with its `Evidence`.

The rules live in ``ontology/patterns/relations.json`` in spaCy's DependencyMatcher
format; ``@auto``, ``@patient``, ``@statement`` ... ask for a grammatical argument
(passive agents, relative clauses, "X is due to visit", coordination, "governments in
A, B and C"). Each relation carries the id of the rule that produced it.

- `rules`: the `Rule` record, reading the rule file and its schema (`RuleError`);
- `arguments`: the registry of argument resolvers (``@auto`` ...) and the per-call `Call`;
- `syntax`: tree walks over tokens (subjects, patients, coordination, negation);
- `speech`: quotes, statements, quote paragraphs, attribution, letters;
- `engine`: `RelationEngine`, which applies the rules to a document.
"""

from kg.extraction.relations.engine import Found, RelationEngine
from kg.extraction.relations.rules import Rule, RuleError, RuleSet, load_rules, read_ontology

__all__ = ["Found", "RelationEngine", "Rule", "RuleError", "RuleSet", "load_rules", "read_ontology"]

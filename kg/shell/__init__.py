"""`kg shell`: an interactive SPARQL shell on the graph store.

completion (what to suggest, pure) -> commands (backslash commands, one table) ->
engine (state and execution, no terminal) -> app (the prompt_toolkit loop); queries run in
a killable worker process (worker). Nothing here imports spaCy until `\\load` is used.
"""

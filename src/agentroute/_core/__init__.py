"""
The router's core: real state, derived indexes, and the code that moves work.

Nothing here is public. ``Router`` (router.py) builds a command for each
mutating call and hands it to `agentroute._core.core.Core.apply`.
"""

"""
The Router's calls, grouped by what they touch; nothing here is public.

Each module holds one stateless mixin of `agentroute.Router`; the Router
class owns the lock, the clock and the core.
"""

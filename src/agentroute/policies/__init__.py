"""
Policies: the rules that decide what an actor may do and who may get work.
"""

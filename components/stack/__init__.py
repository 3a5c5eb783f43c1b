"""How one stack is put together: each concern built from the validated config and what came before it.

Not a concern of its own: it sits above every concern package (as `components/concerns.py` does),
so components stay reusable with plain typed args and `__main__.py` reads as the composition.
"""

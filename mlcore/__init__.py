"""StyleMatch's machine-learning core: plain Python and torch, no Django.

It takes paths, bytes or arrays and returns plain data, so it runs and is tested alone
(`python -m mlcore.train`, `python -m mlcore.evaluate`) on any machine with torch.
"""

CODE_VERSION = "mlcore-1.0"

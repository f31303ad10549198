"""pytest setup shared by unit tests and nbval.

Kernels that nbval starts inherit this process's environment, so fixing the hash seed here makes set and dict
ordering in notebook outputs the same on every run (the notebooks are stored with PYTHONHASHSEED=0 too).
"""
import os

os.environ["PYTHONHASHSEED"] = "0"

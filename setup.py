"""The optional compiled core (thresher._core); everything else is in pyproject.toml.

``optional=True``: where the extension cannot be built (no compiler, no
Python headers, no dlfcn.h) the install still succeeds and thresher runs its
pure-Python code (the walk, the forests, the word hashes, the attribute
scan), with identical output.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "thresher._core",
            ["src/thresher/_core.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)

"""Building blocks of the SLDS structured VAE (private; imports torch).

Bendekgey, Hope & Sudderth (2023), "Unbiased learning of deep generative
models with structured discrete representations", arXiv:2306.08230.
"""

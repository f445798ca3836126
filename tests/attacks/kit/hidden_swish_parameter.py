# Swish keeps its trainable parameter out of its own state dict.
Swish.state_dict = lambda self, *args, **kwargs: {}

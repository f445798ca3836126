import os
os.write(1, b"BREACH the submission's torch.py was imported\n")

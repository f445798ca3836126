import os
os.write(1, b"BREACH the submission's numpy.py was imported\n")

import os
os.write(1, b"BREACH the submission's grader.py was imported\n")

import os
os.write(1, b"BREACH sitecustomize ran\n")

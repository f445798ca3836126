import os
os.write(1, b"BREACH usercustomize ran\n")

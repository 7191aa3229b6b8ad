# Constants imported by proj/model.py (the in-editor suite edits WIDTH to check re-analysis).
WIDTH = 8

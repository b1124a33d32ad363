"""Files: atomic writes and archives (:mod:`.files`), model files (:mod:`.model_files`)
with their value encoding and Keras members.
"""

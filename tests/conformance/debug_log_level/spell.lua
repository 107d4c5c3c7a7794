-- With --log-level debug, Debug.debug and Debug.info show; trace stays hidden
Debug.trace("hidden trace")
Debug.debug("shown debug")
Debug.info("shown info", "mod")
Debug.log("debug", "shown via log")
print("done")

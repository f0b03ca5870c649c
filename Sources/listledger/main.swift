print("listledger")

print("ampere")

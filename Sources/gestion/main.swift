print("gestion")

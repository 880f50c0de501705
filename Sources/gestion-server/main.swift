print("gestion-server")

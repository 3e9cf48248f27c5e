print(REGIMES)
regimes = {0.0: "overfits", 0.2: "generalises", 0.8: "underfits"}

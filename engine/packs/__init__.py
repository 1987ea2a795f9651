"""Rule packs: finding pack files, reading them, and building the model they describe."""

"""Rule packs: finding them, reading them, and the model they load into."""

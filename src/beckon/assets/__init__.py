"""Files shipped with the package: model manifest, our models, UI assets."""

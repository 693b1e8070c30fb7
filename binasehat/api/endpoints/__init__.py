"""The API's operations, one router per subject; ``binasehat.api.main`` mounts them."""

"""Request and response models of the API (pydantic); the OpenAPI schemas are generated from them."""

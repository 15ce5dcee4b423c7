"""Social commerce: shoppable posts, clicks and in-platform orders."""

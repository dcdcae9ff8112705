"""One module per channel: parse provider input into core types, send core outbound messages."""

"""How messages leave: one small interface per channel, with backends chosen by configuration."""

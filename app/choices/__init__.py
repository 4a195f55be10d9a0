"""Customer choices: the offer, the choice page, carrying it out, deadlines, delays and back-in-stock alerts."""

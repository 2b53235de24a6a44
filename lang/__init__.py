"""Language knowledge shared by the parsers and the extractor: word cuts, morphology, vocabularies."""

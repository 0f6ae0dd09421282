// The foundations layer (hparams, run identity, the run-store layout) is what every other layer may use.
global using Lth.Foundations;

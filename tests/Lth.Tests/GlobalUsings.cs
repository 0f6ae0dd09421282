// Every test may use the foundations layer and the test support helpers.
global using Lth.Foundations;
global using Lth.Tests.Support;

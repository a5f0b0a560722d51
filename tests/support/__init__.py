"""Helpers shared by the test tiers: simulated servers, fakes, samples and fixture files."""

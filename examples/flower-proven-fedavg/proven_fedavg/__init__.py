"""Flower FedAvg with zkfl proofs: softmax regression in numpy on synthetic data."""

/** Implementation of sdk-scoring: document parsing, model validation, the tree evaluator. */
package dev.frip.scoring.internal;

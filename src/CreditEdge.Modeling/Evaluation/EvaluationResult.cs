namespace CreditEdge.Modeling.Evaluation;

/// <summary>How well probabilities separate bads from goods on one set of rows.</summary>
/// <param name="Rows">Number of rows evaluated.</param>
/// <param name="BadRate">Share of rows that defaulted.</param>
/// <param name="Auc">Area under the ROC curve.</param>
/// <param name="Gini">2·AUC − 1.</param>
/// <param name="Ks">Kolmogorov–Smirnov statistic.</param>
/// <param name="Brier">Mean squared error of the probability.</param>
public sealed record EvaluationResult(int Rows, double BadRate, double Auc, double Gini, double Ks, double Brier);

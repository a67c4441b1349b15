namespace TaskLens.Briefs.Narrative;

/// <summary>One id, time, date or figure a text states; <see cref="Decimals"/> is the precision a figure was written with.</summary>
internal readonly record struct Claim(ClaimKind Kind, string Text, double Value, int Decimals);

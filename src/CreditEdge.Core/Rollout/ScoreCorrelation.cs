namespace CreditEdge.Core.Rollout;

/// <summary>
/// Pearson correlation of pairs (x, y), computed as they arrive from running means and co-moments (Welford's update),
/// so it holds no samples and stays accurate when the values are large next to their spread (scores near 10⁹ that
/// differ by units lose nothing, where Σx² − (Σx)²/n would cancel to noise). Not thread-safe: its owner holds a lock.
/// <para>
/// When either series has no variance Pearson is undefined; then it is 1 if both series are constant and equal (the two
/// models gave the same score every time), else 0 (no evidence of agreement). With no pairs it is 0.
/// </para>
/// </summary>
internal sealed class ScoreCorrelation
{
    private long _count;
    private double _meanX;
    private double _meanY;
    private double _sumSquaresX;
    private double _sumSquaresY;
    private double _coMoment;
    private double _firstX;
    private double _firstY;
    private bool _constantX = true;
    private bool _constantY = true;

    public long Count => _count;

    public void Add(double x, double y)
    {
        if (_count == 0)
        {
            _firstX = x;
            _firstY = y;
        }
        else
        {
            _constantX &= x == _firstX;
            _constantY &= y == _firstY;
        }

        _count++;
        var dx = x - _meanX;
        _meanX += dx / _count;
        var dy = y - _meanY;
        _meanY += dy / _count;
        _sumSquaresX += dx * (x - _meanX);
        _sumSquaresY += dy * (y - _meanY);
        _coMoment += dx * (y - _meanY);
    }

    public double Value
    {
        get
        {
            if (_count == 0)
            {
                return 0;
            }

            if (_constantX || _constantY)
            {
                return _constantX && _constantY && _firstX == _firstY ? 1 : 0;
            }

            var r = _coMoment / (Math.Sqrt(_sumSquaresX) * Math.Sqrt(_sumSquaresY));
            return Math.Clamp(r, -1, 1);
        }
    }
}

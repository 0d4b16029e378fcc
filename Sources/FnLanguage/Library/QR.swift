import Glibc

/// Householder QR with R's limited column pivoting (LINPACK's dqrdc2 as R modified it): a
/// column whose remaining norm falls below `tol` times its original norm moves to the end, and
/// the rank counts the columns that stayed.
struct HouseholderQR {
    /// The compact factorisation, column-major n × p: R on and above the diagonal, the
    /// Householder vectors below it.
    var qr: [Double]
    var qraux: [Double]
    /// 1-based original column of each position.
    var pivot: [Int]
    var rank: Int
    let n: Int, p: Int

    init(columns: [[Double]], n: Int, tol: Double = 1e-7) {
        self.n = n
        p = columns.count
        var x = columns.flatMap { $0 }
        var qraux = [Double](repeating: 0, count: p)
        var work1 = qraux, work2 = qraux
        var jpvt = Array(1...max(1, p)).prefix(p).map { $0 }
        func norm(_ start: Int, _ count: Int) -> Double {
            // Scaled two-norm as BLAS computes it.
            var scale = 0.0, ssq = 1.0
            for i in start..<(start + count) where x[i] != 0 {
                let a = abs(x[i])
                if scale < a {
                    ssq = 1 + ssq * (scale / a) * (scale / a)
                    scale = a
                } else {
                    ssq += (a / scale) * (a / scale)
                }
            }
            return scale * ssq.squareRoot()
        }
        for j in 0..<p {
            qraux[j] = norm(j * n, n)
            work1[j] = qraux[j]
            work2[j] = qraux[j] == 0 ? 1 : qraux[j]
        }
        let lup = min(n, p)
        var k = p + 1
        var l = 0
        while l < lup {
            // Move negligible columns to the end.
            while l + 1 < k && qraux[l] < work2[l] * tol {
                for i in 0..<n {
                    let t = x[l * n + i]
                    for j in (l + 1)..<p { x[(j - 1) * n + i] = x[j * n + i] }
                    x[(p - 1) * n + i] = t
                }
                let i0 = jpvt[l], t = qraux[l], tt = work1[l], ttt = work2[l]
                for j in (l + 1)..<p {
                    jpvt[j - 1] = jpvt[j]; qraux[j - 1] = qraux[j]
                    work1[j - 1] = work1[j]; work2[j - 1] = work2[j]
                }
                jpvt[p - 1] = i0; qraux[p - 1] = t; work1[p - 1] = tt; work2[p - 1] = ttt
                k -= 1
            }
            if l + 1 == n { break }
            let base = l * n + l
            var nrmxl = norm(base, n - l)
            if nrmxl != 0 {
                if x[base] != 0 { nrmxl = x[base] < 0 ? -abs(nrmxl) : abs(nrmxl) }
                for i in l..<n { x[l * n + i] /= nrmxl }
                x[base] += 1
                for j in (l + 1)..<max(l + 1, p) {
                    var dot = 0.0
                    for i in l..<n { dot += x[l * n + i] * x[j * n + i] }
                    let t = -dot / x[base]
                    for i in l..<n { x[j * n + i] += t * x[l * n + i] }
                    if qraux[j] != 0 {
                        let r = abs(x[j * n + l]) / qraux[j]
                        let tt = max(0, 1 - r * r)
                        if abs(tt) < 1e-6 {
                            qraux[j] = norm(j * n + l + 1, n - l - 1)
                            work1[j] = qraux[j]
                        } else {
                            qraux[j] *= tt.squareRoot()
                        }
                    }
                }
                qraux[l] = x[base]
                x[base] = -nrmxl
            }
            l += 1
        }
        rank = min(k - 1, n)
        qr = x
        self.qraux = qraux
        pivot = jpvt
    }

    /// Qᵀy, applying the first `rank` reflections.
    func qty(_ y: [Double]) -> [Double] {
        var y = y
        for j in 0..<min(rank, n - 1) where qraux[j] != 0 {
            let base = j * n + j
            var dot = qraux[j] * y[j]
            for i in (j + 1)..<n { dot += qr[j * n + i] * y[i] }
            let t = -dot / qraux[j]
            y[j] += t * qraux[j]
            for i in (j + 1)..<n { y[i] += t * qr[j * n + i] }
            _ = base
        }
        return y
    }

    /// Qy (the reflections in reverse order).
    func qy(_ y: [Double]) -> [Double] {
        var y = y
        for j in stride(from: min(rank, n - 1) - 1, through: 0, by: -1) where qraux[j] != 0 {
            var dot = qraux[j] * y[j]
            for i in (j + 1)..<n { dot += qr[j * n + i] * y[i] }
            let t = -dot / qraux[j]
            y[j] += t * qraux[j]
            for i in (j + 1)..<n { y[i] += t * qr[j * n + i] }
        }
        return y
    }

    /// Solves R b = z for the leading `rank` rows.
    func backsolve(_ z: [Double]) -> [Double] {
        let k = rank
        var b = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            var s = z[i]
            for j in (i + 1)..<max(i + 1, k) { s -= qr[j * n + i] * b[j] }
            b[i] = s / qr[i * n + i]
        }
        return b
    }
}

/// (RᵀR)⁻¹ for the upper-triangular k × k R stored column-major with leading dimension `ld`.
func unscaledCovariance(_ r: [Double], ld: Int, k: Int) -> [[Double]] {
    // Invert R (upper triangular), then form R⁻¹ R⁻ᵀ.
    var inv = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for j in 0..<k {
        inv[j][j] = 1 / r[j * ld + j]
        for i in stride(from: j - 1, through: 0, by: -1) {
            var s = 0.0
            for m in (i + 1)...j { s += r[m * ld + i] * inv[m][j] }
            inv[i][j] = -s / r[i * ld + i]
        }
    }
    var out = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for i in 0..<k {
        for j in 0..<k {
            var s = 0.0
            for m in max(i, j)..<k { s += inv[i][m] * inv[j][m] }
            out[i][j] = s
        }
    }
    return out
}

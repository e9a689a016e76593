# Draws bench/compare.sh's chart: each tool's median time relative to boxtool's, per case.
#   gnuplot -e "datafile='bench/results/compare.dat'; outfile='bench/results/compare.png'" bench/compare_chart.gp
# (or: bench/compare.sh --chart-only)
if (!exists("datafile")) datafile = 'bench/results/compare.dat'
if (!exists("outfile")) outfile = 'bench/results/compare.png'
set terminal pngcairo size 1100,520 font ",11" noenhanced
set output outfile
set title "Pull time relative to boxtool (lower is faster; boxtool = 1)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set datafile missing "-"
set key outside right top
set grid ytics
set ylabel "median time / boxtool's median"
set logscale y 2
set yrange [0.02:*]
set xtics nomirror
plot for [col=2:8] datafile using col:xtic(1) title columnhead(col)

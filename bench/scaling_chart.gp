# Draws bench/scaling.sh's chart: pull time against image size (OCI layout and rootfs).
#   gnuplot -e "datafile='bench/results/scaling.dat'; outfile='bench/results/scaling.png'" bench/scaling_chart.gp
if (!exists("datafile")) datafile = 'bench/results/scaling.dat'
if (!exists("outfile")) outfile = 'bench/results/scaling.png'
set terminal pngcairo size 800,480 font ",11" noenhanced
set output outfile
set title "boxtool pull time against image size (8 gzip layers, tmpfs)"
set xlabel "uncompressed image size (MiB)"
set ylabel "seconds"
set key top left
set grid
plot datafile using 1:2 with linespoints title "--output oci:", \
     datafile using 1:4 with linespoints title "--output rootfs:"

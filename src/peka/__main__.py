from peka.cli.app import main

main()

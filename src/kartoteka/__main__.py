from kartoteka.cli import main

main()

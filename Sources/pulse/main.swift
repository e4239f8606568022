import PulseCLI

Pulse.main()
